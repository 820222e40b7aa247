set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s5.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 51051.0168
124439808 6117.52295
EOD
$d1 << EOD
102714 50398.9552
124439808 6300.94433
EOD
$d2 << EOD
102714 58383.0588
124439808 6218.90136
EOD
$d3 << EOD
102714 52424.0513
124439808 5167.90318
EOD
$d4 << EOD
102714 50445.5227
124439808 6417.80168
EOD
$d5 << EOD
102714 3249.26949
124439808 1049.7413
EOD
$d6 << EOD
102714 3223.70532
124439808 1287.14027
EOD
$d7 << EOD
102714 1882.2234
124439808 670.033768
EOD
$d8 << EOD
102714 2488.74557
124439808 736.277202
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
