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
102714 22981.702
124439808 3368.81373
EOD
$d1 << EOD
102714 13648.8251
124439808 3391.73774
EOD
$d2 << EOD
102714 22794.3476
124439808 2965.99722
EOD
$d3 << EOD
102714 22007.6627
124439808 2994.80466
EOD
$d4 << EOD
102714 21929.7834
124439808 3744.1277
EOD
$d5 << EOD
102714 885.654254
124439808 320.994376
EOD
$d6 << EOD
102714 1658.70585
124439808 440.217247
EOD
$d7 << EOD
102714 481.665556
124439808 166.625515
EOD
$d8 << EOD
102714 674.992295
124439808 199.651248
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d7 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
