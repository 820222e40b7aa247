set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s5.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 75854.2709
124439808 616.701722
EOD
$d1 << EOD
102714 47600.9085
124439808 7069.20719
EOD
$d2 << EOD
102714 66109.2078
124439808 7208.15696
EOD
$d3 << EOD
102714 69695.204
124439808 6037.83367
EOD
$d4 << EOD
102714 60453.9149
124439808 6822.1691
EOD
$d5 << EOD
102714 62993.5029
124439808 6549.34438
EOD
$d6 << EOD
102714 6844.81161
124439808 444.049994
EOD
$d7 << EOD
102714 7496.53407
124439808 2989.40069
EOD
$d8 << EOD
102714 4137.6048
124439808 755.560563
EOD
$d9 << EOD
102714 6843.86244
124439808 2528.34326
EOD
$d10 << EOD
102714 4121.46626
124439808 970.372777
EOD
$d11 << EOD
102714 2714.59159
124439808 1053.57681
EOD
$d12 << EOD
102714 4204.84411
124439808 1446.38518
EOD
$d13 << EOD
102714 2355.80741
124439808 723.756563
EOD
$d14 << EOD
102714 2685.18138
124439808 710.311821
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
