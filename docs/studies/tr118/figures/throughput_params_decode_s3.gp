set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s3.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_long (1x128)'
$d0 << EOD
102714 493.500553
124439808 186.698599
EOD
$d1 << EOD
102714 19132.3605
124439808 2130.5914
EOD
$d2 << EOD
102714 18717.5238
124439808 2137.42126
EOD
$d3 << EOD
102714 18292.0092
124439808 1193.71454
EOD
$d4 << EOD
102714 18883.5342
124439808 2248.66428
EOD
$d5 << EOD
102714 19010.0824
124439808 2247.96495
EOD
$d6 << EOD
102714 4839.18175
124439808 166.113406
EOD
$d7 << EOD
102714 784.052435
124439808 267.427161
EOD
$d8 << EOD
102714 1376.8662
124439808 364.639579
EOD
$d9 << EOD
102714 448.225518
124439808 178.141663
EOD
$d10 << EOD
102714 570.621926
124439808 184.453758
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
