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
102714 30704.5533
124439808 268.742493
EOD
$d1 << EOD
102714 26865.0777
124439808 3364.77806
EOD
$d2 << EOD
102714 27348.9363
124439808 3459.01955
EOD
$d3 << EOD
102714 29575.977
124439808 2763.1429
EOD
$d4 << EOD
102714 22294.9985
124439808 2884.89252
EOD
$d5 << EOD
102714 26603.225
124439808 3637.62736
EOD
$d6 << EOD
102714 6510.94474
124439808 132.05934
EOD
$d7 << EOD
102714 4114.43505
124439808 977.424212
EOD
$d8 << EOD
102714 1676.98119
124439808 224.172602
EOD
$d9 << EOD
102714 4752.62365
124439808 956.394247
EOD
$d10 << EOD
102714 1138.11911
124439808 307.05497
EOD
$d11 << EOD
102714 1154.28321
124439808 161.639952
EOD
$d12 << EOD
102714 1349.22038
124439808 203.645372
EOD
$d13 << EOD
102714 669.636759
124439808 109.813687
EOD
$d14 << EOD
102714 468.519438
124439808 189.560253
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
