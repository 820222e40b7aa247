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
102714 21975.8371
124439808 252.935944
EOD
$d1 << EOD
102714 25715.2143
124439808 3376.26824
EOD
$d2 << EOD
102714 27079.457
124439808 3467.32116
EOD
$d3 << EOD
102714 30477.3494
124439808 2799.79926
EOD
$d4 << EOD
102714 22828.6976
124439808 2891.53593
EOD
$d5 << EOD
102714 25775.556
124439808 3664.00455
EOD
$d6 << EOD
102714 4944.0083
124439808 122.611245
EOD
$d7 << EOD
102714 2761.06255
124439808 1077.36341
EOD
$d8 << EOD
102714 1724.92153
124439808 217.355387
EOD
$d9 << EOD
102714 4487.65054
124439808 965.187144
EOD
$d10 << EOD
102714 1816.89783
124439808 312.683594
EOD
$d11 << EOD
102714 727.562792
124439808 282.591946
EOD
$d12 << EOD
102714 1330.22326
124439808 367.02899
EOD
$d13 << EOD
102714 587.090443
124439808 191.509913
EOD
$d14 << EOD
102714 531.675596
124439808 177.801802
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
