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
102714 22367.2726
124439808 216.836343
EOD
$d1 << EOD
102714 20252.0636
124439808 2242.68662
EOD
$d2 << EOD
102714 19701.5729
124439808 2237.67114
EOD
$d3 << EOD
102714 20624.2247
124439808 1229.84142
EOD
$d4 << EOD
102714 19666.824
124439808 2457.03984
EOD
$d5 << EOD
102714 19499.9107
124439808 2438.34773
EOD
$d6 << EOD
102714 5128.1033
124439808 179.51789
EOD
$d7 << EOD
102714 1056.83027
124439808 178.531112
EOD
$d8 << EOD
102714 1306.08286
124439808 328.613647
EOD
$d9 << EOD
102714 390.345864
124439808 184.461168
EOD
$d10 << EOD
102714 741.780546
124439808 195.380469
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
