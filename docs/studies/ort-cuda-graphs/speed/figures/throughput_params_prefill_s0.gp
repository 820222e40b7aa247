set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 9646.24677
124439808 2339.22939
EOD
$d1 << EOD
102714 7234.58438
124439808 3010.27374
EOD
$d2 << EOD
102714 9733.61469
124439808 3360.16967
EOD
$d3 << EOD
102714 11701.1738
124439808 2379.25445
EOD
plot $d0 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
