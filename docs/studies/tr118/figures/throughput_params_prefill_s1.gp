set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_short (1x32)'
$d0 << EOD
102714 505028.214
124439808 3697.55226
EOD
$d1 << EOD
102714 221744.965
124439808 44669.0775
EOD
$d2 << EOD
102714 217179.301
124439808 43218.4284
EOD
$d3 << EOD
102714 260764.825
124439808 24953.6178
EOD
$d4 << EOD
102714 237612.502
124439808 10167.0547
EOD
$d5 << EOD
102714 221382.221
124439808 29604.0272
EOD
$d6 << EOD
102714 20325.8932
124439808 1948.30034
EOD
$d7 << EOD
102714 55901.8918
124439808 14098.3629
EOD
$d8 << EOD
102714 46773.0159
124439808 5464.34049
EOD
$d9 << EOD
102714 56856.8555
124439808 9525.38276
EOD
$d10 << EOD
102714 46662.9994
124439808 7301.96236
EOD
$d11 << EOD
102714 26967.5075
124439808 10372.197
EOD
$d12 << EOD
102714 35891.8851
124439808 11399.8011
EOD
$d13 << EOD
102714 21054.1664
124439808 5623.06192
EOD
$d14 << EOD
102714 11703.7649
124439808 6158.70411
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
