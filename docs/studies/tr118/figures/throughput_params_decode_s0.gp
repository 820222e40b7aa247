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
102714 39032.2014
124439808 201.748978
EOD
$d1 << EOD
102714 34423.7124
124439808 3459.55125
EOD
$d2 << EOD
102714 33300.2147
124439808 3604.80771
EOD
$d3 << EOD
102714 34665.5349
124439808 3079.75709
EOD
$d4 << EOD
102714 25186.0192
124439808 2986.76757
EOD
$d5 << EOD
102714 30138.4215
124439808 3843.23133
EOD
$d6 << EOD
102714 4378.10234
124439808 173.424819
EOD
$d7 << EOD
102714 4407.26254
124439808 1085.07546
EOD
$d8 << EOD
102714 1584.55623
124439808 349.732109
EOD
$d9 << EOD
102714 4543.90247
124439808 1032.51791
EOD
$d10 << EOD
102714 958.028233
124439808 432.348462
EOD
$d11 << EOD
102714 1167.93723
124439808 307.852245
EOD
$d12 << EOD
102714 1257.71332
124439808 356.01283
EOD
$d13 << EOD
102714 782.157649
124439808 136.389684
EOD
$d14 << EOD
102714 641.544952
124439808 162.89676
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d9 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d10 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]', \
     $d11 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d13 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d14 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
