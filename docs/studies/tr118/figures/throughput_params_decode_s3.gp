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
102714 18142.4955
124439808 215.829588
EOD
$d1 << EOD
102714 22837.7836
124439808 3277.97368
EOD
$d2 << EOD
102714 22287.7979
124439808 3266.23801
EOD
$d3 << EOD
102714 21566.4182
124439808 2988.97333
EOD
$d4 << EOD
102714 20313.4315
124439808 3018.5754
EOD
$d5 << EOD
102714 22870.1421
124439808 3698.99349
EOD
$d6 << EOD
102714 5009.76314
124439808 134.922082
EOD
$d7 << EOD
102714 1637.78849
124439808 358.628197
EOD
$d8 << EOD
102714 1856.86381
124439808 478.889844
EOD
$d9 << EOD
102714 1048.91936
124439808 333.017389
EOD
$d10 << EOD
102714 696.444796
124439808 212.49244
EOD
$d11 << EOD
102714 732.041033
124439808 125.949696
EOD
$d12 << EOD
102714 706.942971
124439808 191.223089
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
