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
102714 43971.3809
124439808 301.546463
EOD
$d1 << EOD
102714 28074.89
124439808 3372.61071
EOD
$d2 << EOD
102714 27434.0444
124439808 3456.6496
EOD
$d3 << EOD
102714 30458.7477
124439808 2790.74145
EOD
$d4 << EOD
102714 25182.479
124439808 2903.15154
EOD
$d5 << EOD
102714 26443.1369
124439808 3632.06062
EOD
$d6 << EOD
102714 3675.64023
124439808 160.082439
EOD
$d7 << EOD
102714 4025.39713
124439808 1069.47638
EOD
$d8 << EOD
102714 1712.5457
124439808 211.366239
EOD
$d9 << EOD
102714 4385.65456
124439808 972.940204
EOD
$d10 << EOD
102714 1784.86887
124439808 299.82398
EOD
$d11 << EOD
102714 987.132107
124439808 192.128598
EOD
$d12 << EOD
102714 1340.21086
124439808 360.302244
EOD
$d13 << EOD
102714 656.625329
124439808 194.776442
EOD
$d14 << EOD
102714 456.488674
124439808 203.977985
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
