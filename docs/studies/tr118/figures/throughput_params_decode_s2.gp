set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_medium (1x64)'
$d0 << EOD
102714 514.204996
124439808 134.668028
EOD
$d1 << EOD
102714 19193.5083
124439808 2164.564
EOD
$d2 << EOD
102714 19311.1921
124439808 2158.70297
EOD
$d3 << EOD
102714 18526.5853
124439808 1189.18932
EOD
$d4 << EOD
102714 19281.6631
124439808 2355.29196
EOD
$d5 << EOD
102714 17949.6376
124439808 2302.79311
EOD
$d6 << EOD
102714 4308.79794
124439808 144.551573
EOD
$d7 << EOD
102714 1082.81721
124439808 175.599193
EOD
$d8 << EOD
102714 1361.98051
124439808 408.212162
EOD
$d9 << EOD
102714 622.719141
124439808 163.457205
EOD
$d10 << EOD
102714 667.503682
124439808 123.062713
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
