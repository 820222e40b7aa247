set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s4.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_short (4x32)'
$d0 << EOD
102714 39139.9363
124439808 606.364662
EOD
$d1 << EOD
102714 52172.1528
124439808 6123.09758
EOD
$d2 << EOD
102714 51595.2784
124439808 6257.772
EOD
$d3 << EOD
102714 56058.5698
124439808 6278.98364
EOD
$d4 << EOD
102714 52165.4467
124439808 5461.8239
EOD
$d5 << EOD
102714 52165.6878
124439808 6429.63575
EOD
$d6 << EOD
102714 8014.20155
124439808 452.172991
EOD
$d7 << EOD
102714 4242.82441
124439808 1414.50206
EOD
$d8 << EOD
102714 4397.37892
124439808 1493.27534
EOD
$d9 << EOD
102714 3958.43127
124439808 1282.41341
EOD
$d10 << EOD
102714 4037.98354
124439808 740.817924
EOD
$d11 << EOD
102714 2828.4945
124439808 471.920221
EOD
$d12 << EOD
102714 2822.03376
124439808 779.515212
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
