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
102714 14536.2009
124439808 199.889482
EOD
$d1 << EOD
102714 22817.7617
124439808 3350.98049
EOD
$d2 << EOD
102714 22330.9581
124439808 3351.04496
EOD
$d3 << EOD
102714 21848.2336
124439808 3042.33259
EOD
$d4 << EOD
102714 21361.0359
124439808 3034.83994
EOD
$d5 << EOD
102714 22940.4936
124439808 3771.37932
EOD
$d6 << EOD
102714 6475.78485
124439808 137.496864
EOD
$d7 << EOD
102714 1720.11109
124439808 398.918925
EOD
$d8 << EOD
102714 1834.31652
124439808 481.713915
EOD
$d9 << EOD
102714 631.92391
124439808 335.709918
EOD
$d10 << EOD
102714 1161.17605
124439808 225.780631
EOD
$d11 << EOD
102714 717.791017
124439808 111.101621
EOD
$d12 << EOD
102714 709.365953
124439808 202.516261
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d11 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
