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
102714 590.233745
124439808 200.844716
EOD
$d1 << EOD
102714 16126.7304
124439808 2178.37952
EOD
$d2 << EOD
102714 19335.598
124439808 2147.12937
EOD
$d3 << EOD
102714 18832.5952
124439808 1213.63879
EOD
$d4 << EOD
102714 19467.5008
124439808 2378.55453
EOD
$d5 << EOD
102714 19552.1682
124439808 2358.28254
EOD
$d6 << EOD
102714 4932.84319
124439808 157.880326
EOD
$d7 << EOD
102714 547.403332
124439808 328.779892
EOD
$d8 << EOD
102714 1307.52812
124439808 383.488627
EOD
$d9 << EOD
102714 340.68806
124439808 154.872633
EOD
$d10 << EOD
102714 747.53397
124439808 199.834482
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
