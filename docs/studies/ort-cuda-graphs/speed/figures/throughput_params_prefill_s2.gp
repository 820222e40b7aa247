set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 215247.694
124439808 70353.6776
EOD
$d1 << EOD
102714 166059.144
124439808 87112.405
EOD
$d2 << EOD
102714 197336.816
124439808 68677.8432
EOD
$d3 << EOD
102714 250224.878
124439808 69875.1759
EOD
plot $d0 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
