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
102714 261080.102
124439808 43505.7585
EOD
$d1 << EOD
102714 223666.437
124439808 36907.7456
EOD
$d2 << EOD
102714 219042.829
124439808 25076.0755
EOD
$d3 << EOD
102714 244794.581
124439808 10480.7217
EOD
$d4 << EOD
102714 183983.875
124439808 34303.3183
EOD
$d5 << EOD
102714 17584.1283
124439808 11069.7592
EOD
$d6 << EOD
102714 35811.0773
124439808 11799.7619
EOD
$d7 << EOD
102714 22241.7423
124439808 4753.28336
EOD
$d8 << EOD
102714 17872.7574
124439808 6145.09314
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d7 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
