set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_long (1x128)'
$d0 << EOD
102714 156959.213
124439808 36583.8675
EOD
$d1 << EOD
102714 110355.724
124439808 50679.5203
EOD
$d2 << EOD
102714 144602.8
124439808 49719.2517
EOD
$d3 << EOD
102714 186615.433
124439808 32878.3017
EOD
plot $d0 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
