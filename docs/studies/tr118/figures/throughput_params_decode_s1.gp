set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_short (1x32)'
$d0 << EOD
102714 26449.0312
124439808 220.261176
EOD
$d1 << EOD
102714 33244.2629
124439808 3435.77877
EOD
$d2 << EOD
102714 33228.5707
124439808 3620.14529
EOD
$d3 << EOD
102714 31851.6665
124439808 3049.01342
EOD
$d4 << EOD
102714 24962.7395
124439808 2976.09169
EOD
$d5 << EOD
102714 29532.1159
124439808 3828.52476
EOD
$d6 << EOD
102714 4428.58422
124439808 140.008489
EOD
$d7 << EOD
102714 4424.14258
124439808 1078.79008
EOD
$d8 << EOD
102714 1469.33504
124439808 267.935347
EOD
$d9 << EOD
102714 4600.87101
124439808 1052.79193
EOD
$d10 << EOD
102714 987.595895
124439808 280.772188
EOD
$d11 << EOD
102714 639.272246
124439808 313.866909
EOD
$d12 << EOD
102714 1262.91146
124439808 376.740117
EOD
$d13 << EOD
102714 761.085894
124439808 151.195438
EOD
$d14 << EOD
102714 650.798258
124439808 129.27859
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
