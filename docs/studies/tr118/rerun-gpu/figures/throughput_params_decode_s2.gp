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
102714 22919.7209
124439808 3351.91841
EOD
$d1 << EOD
102714 21248.6372
124439808 3353.37989
EOD
$d2 << EOD
102714 22632.904
124439808 2951.39971
EOD
$d3 << EOD
102714 22038.0915
124439808 2998.98107
EOD
$d4 << EOD
102714 21910.4987
124439808 3780.87668
EOD
$d5 << EOD
102714 1135.44852
124439808 273.633858
EOD
$d6 << EOD
102714 1551.56389
124439808 423.682357
EOD
$d7 << EOD
102714 686.038755
124439808 184.961224
EOD
$d8 << EOD
102714 648.537394
124439808 182.971661
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
