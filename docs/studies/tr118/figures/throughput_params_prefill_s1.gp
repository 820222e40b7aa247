set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_short (1x32)'
$d0 << EOD
102714 181960.073
124439808 598.548457
EOD
$d1 << EOD
102714 269518.112
124439808 43952.3047
EOD
$d2 << EOD
102714 236398.449
124439808 43078.5232
EOD
$d3 << EOD
102714 197341.172
124439808 25181.6952
EOD
$d4 << EOD
102714 203204.555
124439808 10572.8691
EOD
$d5 << EOD
102714 221791.188
124439808 36175.4177
EOD
$d6 << EOD
102714 91226.9673
124439808 2253.91245
EOD
$d7 << EOD
102714 51512.8488
124439808 12088.5762
EOD
$d8 << EOD
102714 51665.8995
124439808 13667.9525
EOD
$d9 << EOD
102714 31515.9956
124439808 10956.2959
EOD
$d10 << EOD
102714 36373.5333
124439808 7076.04885
EOD
$d11 << EOD
102714 22086.8038
124439808 4565.17543
EOD
$d12 << EOD
102714 18801.4305
124439808 5504.6387
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
