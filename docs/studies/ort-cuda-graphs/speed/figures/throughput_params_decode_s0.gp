set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 4001.6774
124439808 1034.73155
EOD
$d1 << EOD
102714 919.02892
124439808 392.576206
EOD
$d2 << EOD
102714 4189.306
124439808 993.575369
EOD
$d3 << EOD
102714 1840.63185
124439808 315.629059
EOD
plot $d0 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
