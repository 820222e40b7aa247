set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_medium (1x64)'
$d0 << EOD
102714 13703.6801
124439808 194.714319
EOD
$d1 << EOD
102714 41892.1875
124439808 4005.95872
EOD
$d2 << EOD
102714 43121.6014
124439808 4248.85511
EOD
$d3 << EOD
102714 42673.3956
124439808 2798.46968
EOD
$d4 << EOD
102714 44495.6246
124439808 4017.95996
EOD
$d5 << EOD
102714 44668.9693
124439808 3711.90793
EOD
$d6 << EOD
102714 4843.3624
124439808 121.417355
EOD
$d7 << EOD
102714 4287.39559
124439808 1046.5373
EOD
$d8 << EOD
102714 1734.3233
124439808 362.278979
EOD
$d9 << EOD
102714 3882.47247
124439808 908.75995
EOD
$d10 << EOD
102714 1344.54402
124439808 487.426659
EOD
$d11 << EOD
102714 737.881046
124439808 329.463941
EOD
$d12 << EOD
102714 1172.50828
124439808 313.82985
EOD
$d13 << EOD
102714 635.484125
124439808 171.682206
EOD
$d14 << EOD
102714 465.377496
124439808 188.265079
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d9 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d10 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]', \
     $d11 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d13 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d14 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
