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
102714 26879.7206
124439808 265.628073
EOD
$d1 << EOD
102714 27726.6074
124439808 3308.73731
EOD
$d2 << EOD
102714 27084.2467
124439808 3434.49859
EOD
$d3 << EOD
102714 29883.0313
124439808 2810.15067
EOD
$d4 << EOD
102714 24207.7626
124439808 2856.97326
EOD
$d5 << EOD
102714 25478.5673
124439808 3617.43162
EOD
$d6 << EOD
102714 6569.2429
124439808 137.086293
EOD
$d7 << EOD
102714 4386.39093
124439808 1063.4897
EOD
$d8 << EOD
102714 1406.50325
124439808 218.439382
EOD
$d9 << EOD
102714 4942.30192
124439808 984.440581
EOD
$d10 << EOD
102714 1651.67202
124439808 296.952333
EOD
$d11 << EOD
102714 896.558758
124439808 318.921298
EOD
$d12 << EOD
102714 1339.17832
124439808 361.015363
EOD
$d13 << EOD
102714 663.727824
124439808 167.237464
EOD
$d14 << EOD
102714 717.794461
124439808 225.221295
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
