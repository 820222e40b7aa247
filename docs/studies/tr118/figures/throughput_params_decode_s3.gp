set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s3.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_long (1x128)'
$d0 << EOD
102714 27656.1266
124439808 180.334985
EOD
$d1 << EOD
102714 40780.3161
124439808 3952.24903
EOD
$d2 << EOD
102714 42690.932
124439808 4167.06161
EOD
$d3 << EOD
102714 42187.5457
124439808 2785.74935
EOD
$d4 << EOD
102714 43742.7647
124439808 3900.93953
EOD
$d5 << EOD
102714 43907.9506
124439808 3653.75865
EOD
$d6 << EOD
102714 6355.01288
124439808 136.100152
EOD
$d7 << EOD
102714 3942.17186
124439808 1071.76123
EOD
$d8 << EOD
102714 1370.82014
124439808 295.970305
EOD
$d9 << EOD
102714 3826.65339
124439808 1013.69594
EOD
$d10 << EOD
102714 1756.43063
124439808 456.429967
EOD
$d11 << EOD
102714 908.868936
124439808 261.393556
EOD
$d12 << EOD
102714 640.388914
124439808 363.393193
EOD
$d13 << EOD
102714 615.434481
124439808 178.273191
EOD
$d14 << EOD
102714 437.758443
124439808 121.239454
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
