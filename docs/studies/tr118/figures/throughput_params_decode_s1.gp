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
102714 13510.0073
124439808 220.279738
EOD
$d1 << EOD
102714 22788.8332
124439808 3354.84338
EOD
$d2 << EOD
102714 22399.3932
124439808 3349.64429
EOD
$d3 << EOD
102714 21735.0883
124439808 3027.89367
EOD
$d4 << EOD
102714 21838.0407
124439808 3051.36999
EOD
$d5 << EOD
102714 22901.1243
124439808 3776.25704
EOD
$d6 << EOD
102714 4887.56361
124439808 138.920278
EOD
$d7 << EOD
102714 1712.84125
124439808 381.305922
EOD
$d8 << EOD
102714 1902.4795
124439808 464.382385
EOD
$d9 << EOD
102714 1141.30063
124439808 351.410116
EOD
$d10 << EOD
102714 1266.11359
124439808 351.16702
EOD
$d11 << EOD
102714 596.450792
124439808 134.520244
EOD
$d12 << EOD
102714 691.416299
124439808 207.050792
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
