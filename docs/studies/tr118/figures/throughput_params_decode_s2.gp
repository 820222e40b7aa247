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
102714 25330.7554
124439808 199.168226
EOD
$d1 << EOD
102714 34705.1413
124439808 3463.67938
EOD
$d2 << EOD
102714 33043.2287
124439808 3617.31233
EOD
$d3 << EOD
102714 34840.7094
124439808 3092.48927
EOD
$d4 << EOD
102714 25037.6662
124439808 2993.72285
EOD
$d5 << EOD
102714 29564.1509
124439808 3841.41958
EOD
$d6 << EOD
102714 4256.57955
124439808 113.607595
EOD
$d7 << EOD
102714 4408.06375
124439808 1078.40428
EOD
$d8 << EOD
102714 1570.53433
124439808 310.321006
EOD
$d9 << EOD
102714 4695.42608
124439808 1025.26414
EOD
$d10 << EOD
102714 963.856215
124439808 441.070325
EOD
$d11 << EOD
102714 1138.99112
124439808 350.65875
EOD
$d12 << EOD
102714 1236.22013
124439808 365.152784
EOD
$d13 << EOD
102714 777.505198
124439808 135.806963
EOD
$d14 << EOD
102714 528.79984
124439808 124.821057
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
