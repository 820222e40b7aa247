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
102714 35508.9704
124439808 592.666957
EOD
$d1 << EOD
102714 52173.5284
124439808 6115.64934
EOD
$d2 << EOD
102714 51272.8257
124439808 6271.66434
EOD
$d3 << EOD
102714 56574.4961
124439808 6273.0645
EOD
$d4 << EOD
102714 52206.7812
124439808 5469.49296
EOD
$d5 << EOD
102714 52293.5464
124439808 6468.88456
EOD
$d6 << EOD
102714 7903.37217
124439808 429.511738
EOD
$d7 << EOD
102714 3361.22137
124439808 1326.76688
EOD
$d8 << EOD
102714 4392.96792
124439808 1482.69477
EOD
$d9 << EOD
102714 2730.04045
124439808 1292.17992
EOD
$d10 << EOD
102714 4116.58299
124439808 1256.83784
EOD
$d11 << EOD
102714 2761.46188
124439808 360.736046
EOD
$d12 << EOD
102714 2775.17877
124439808 758.756552
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d11 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
