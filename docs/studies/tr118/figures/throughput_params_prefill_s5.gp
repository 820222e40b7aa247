set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s5.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 255540.288
124439808 996.586253
EOD
$d1 << EOD
102714 1757688.41
124439808 291775.336
EOD
$d2 << EOD
102714 1192891.3
124439808 292438.59
EOD
$d3 << EOD
102714 1472266.17
124439808 108997.786
EOD
$d4 << EOD
102714 2087188.63
124439808 30235.3668
EOD
$d5 << EOD
102714 1413619.54
124439808 221792.151
EOD
$d6 << EOD
102714 191078.819
124439808 4881.19146
EOD
$d7 << EOD
102714 212893.585
124439808 75188.8708
EOD
$d8 << EOD
102714 185764.589
124439808 95663.8818
EOD
$d9 << EOD
102714 90380.1427
124439808 47724.1419
EOD
$d10 << EOD
102714 148474.974
124439808 36561.3488
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
