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
102714 19663.5855
124439808 230.190642
EOD
$d1 << EOD
102714 21665.1783
124439808 3369.56475
EOD
$d2 << EOD
102714 22360.3826
124439808 3370.85969
EOD
$d3 << EOD
102714 21694.4313
124439808 3011.96047
EOD
$d4 << EOD
102714 21033.1462
124439808 3029.49811
EOD
$d5 << EOD
102714 22890.1095
124439808 3778.17051
EOD
$d6 << EOD
102714 6531.62053
124439808 147.870832
EOD
$d7 << EOD
102714 1799.9395
124439808 371.287954
EOD
$d8 << EOD
102714 1918.7969
124439808 485.221211
EOD
$d9 << EOD
102714 1106.90784
124439808 323.773542
EOD
$d10 << EOD
102714 1243.26469
124439808 254.938057
EOD
$d11 << EOD
102714 678.124179
124439808 134.530346
EOD
$d12 << EOD
102714 721.567663
124439808 197.70962
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
