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
102714 157096.41
124439808 662.494063
EOD
$d1 << EOD
102714 112485.044
124439808 43652.0524
EOD
$d2 << EOD
102714 288825.777
124439808 43358.1159
EOD
$d3 << EOD
102714 192352.935
124439808 25125.1288
EOD
$d4 << EOD
102714 281229.59
124439808 10465.5602
EOD
$d5 << EOD
102714 230770.63
124439808 38925.7241
EOD
$d6 << EOD
102714 72779.7382
124439808 2310.261
EOD
$d7 << EOD
102714 33813.0037
124439808 8822.83882
EOD
$d8 << EOD
102714 37305.52
124439808 12706.7887
EOD
$d9 << EOD
102714 12015.5617
124439808 5963.67233
EOD
$d10 << EOD
102714 19282.7667
124439808 5641.56798
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
