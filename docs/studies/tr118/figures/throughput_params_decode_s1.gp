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
102714 19702.2041
124439808 227.893664
EOD
$d1 << EOD
102714 41506.6522
124439808 3995.59095
EOD
$d2 << EOD
102714 43420.9118
124439808 4228.69471
EOD
$d3 << EOD
102714 43137.7442
124439808 2805.12024
EOD
$d4 << EOD
102714 44332.8747
124439808 3999.5619
EOD
$d5 << EOD
102714 44897.0949
124439808 3732.66702
EOD
$d6 << EOD
102714 6094.7029
124439808 141.515243
EOD
$d7 << EOD
102714 4233.50086
124439808 1061.94492
EOD
$d8 << EOD
102714 1462.20254
124439808 189.506289
EOD
$d9 << EOD
102714 3831.99511
124439808 999.092221
EOD
$d10 << EOD
102714 1413.76579
124439808 354.793832
EOD
$d11 << EOD
102714 1142.81178
124439808 324.255914
EOD
$d12 << EOD
102714 1272.99187
124439808 360.38028
EOD
$d13 << EOD
102714 726.152129
124439808 196.473686
EOD
$d14 << EOD
102714 445.317665
124439808 200.693322
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
