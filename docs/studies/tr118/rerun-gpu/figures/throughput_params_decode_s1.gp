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
102714 23083.3643
124439808 3345.73541
EOD
$d1 << EOD
102714 20540.573
124439808 3351.62159
EOD
$d2 << EOD
102714 22470.0428
124439808 2953.57582
EOD
$d3 << EOD
102714 22462.701
124439808 2996.66511
EOD
$d4 << EOD
102714 21771.6852
124439808 3770.97876
EOD
$d5 << EOD
102714 1453.3023
124439808 339.821968
EOD
$d6 << EOD
102714 979.302186
124439808 300.277751
EOD
$d7 << EOD
102714 735.32864
124439808 185.172161
EOD
$d8 << EOD
102714 639.085202
124439808 223.251953
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
