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
102714 22399.3219
124439808 177.282628
EOD
$d1 << EOD
102714 33875.6726
124439808 3417.21213
EOD
$d2 << EOD
102714 32580.7464
124439808 3605.96971
EOD
$d3 << EOD
102714 34239.7401
124439808 3080.57629
EOD
$d4 << EOD
102714 24707.4565
124439808 2980.59238
EOD
$d5 << EOD
102714 29261.8824
124439808 3812.4615
EOD
$d6 << EOD
102714 4390.41852
124439808 152.825627
EOD
$d7 << EOD
102714 4506.48437
124439808 1084.25052
EOD
$d8 << EOD
102714 1504.04814
124439808 316.935417
EOD
$d9 << EOD
102714 4638.08545
124439808 1032.84246
EOD
$d10 << EOD
102714 1022.71712
124439808 417.442865
EOD
$d11 << EOD
102714 701.384681
124439808 304.230015
EOD
$d12 << EOD
102714 690.148518
124439808 369.057546
EOD
$d13 << EOD
102714 767.063753
124439808 103.177502
EOD
$d14 << EOD
102714 521.189143
124439808 177.336866
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
