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
102714 2285.63625
124439808 395.010811
EOD
$d1 << EOD
102714 46828.6249
124439808 5746.32887
EOD
$d2 << EOD
102714 38256.2035
124439808 5706.84569
EOD
$d3 << EOD
102714 45242.8934
124439808 4213.29576
EOD
$d4 << EOD
102714 43286.6205
124439808 5346.87549
EOD
$d5 << EOD
102714 43445.5781
124439808 6650.66805
EOD
$d6 << EOD
102714 6837.84047
124439808 559.144664
EOD
$d7 << EOD
102714 2362.1707
124439808 1123.69831
EOD
$d8 << EOD
102714 4226.10888
124439808 1470.00051
EOD
$d9 << EOD
102714 1283.84241
124439808 626.334832
EOD
$d10 << EOD
102714 2448.54067
124439808 677.026556
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
