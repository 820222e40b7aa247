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
102714 2339.40812
124439808 491.81868
EOD
$d1 << EOD
102714 35956.1463
124439808 5786.00044
EOD
$d2 << EOD
102714 46783.9637
124439808 5755.70817
EOD
$d3 << EOD
102714 45175.2661
124439808 4285.78165
EOD
$d4 << EOD
102714 43685.2163
124439808 5354.99874
EOD
$d5 << EOD
102714 47424.2668
124439808 6742.38641
EOD
$d6 << EOD
102714 5690.06492
124439808 575.621175
EOD
$d7 << EOD
102714 1953.48501
124439808 1412.45587
EOD
$d8 << EOD
102714 4418.41216
124439808 1465.66856
EOD
$d9 << EOD
102714 1783.64248
124439808 714.91345
EOD
$d10 << EOD
102714 2614.59201
124439808 684.440241
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
