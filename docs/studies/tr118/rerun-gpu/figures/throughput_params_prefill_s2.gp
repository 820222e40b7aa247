set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_medium (1x64)'
$d0 << EOD
102714 520083.464
124439808 82486.9962
EOD
$d1 << EOD
102714 55526.1995
124439808 80806.5722
EOD
$d2 << EOD
102714 447761.955
124439808 45538.6586
EOD
$d3 << EOD
102714 452590.755
124439808 12683.2631
EOD
$d4 << EOD
102714 381848.884
124439808 63735.6618
EOD
$d5 << EOD
102714 27544.2121
124439808 25034.0763
EOD
$d6 << EOD
102714 69435.1499
124439808 24725.6571
EOD
$d7 << EOD
102714 34023.2217
124439808 5135.46319
EOD
$d8 << EOD
102714 34678.3945
124439808 12780.4208
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
