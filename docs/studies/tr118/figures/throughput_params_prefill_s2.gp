set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_medium (1x64)'
$d0 << EOD
102714 317304.205
124439808 792.963544
EOD
$d1 << EOD
102714 510372.555
124439808 82536.2646
EOD
$d2 << EOD
102714 443648.755
124439808 81338.3169
EOD
$d3 << EOD
102714 433134.803
124439808 45475.4765
EOD
$d4 << EOD
102714 414365.958
124439808 12636.9011
EOD
$d5 << EOD
102714 463188.021
124439808 68090.0475
EOD
$d6 << EOD
102714 148782.697
124439808 2957.30499
EOD
$d7 << EOD
102714 107623.867
124439808 25662.173
EOD
$d8 << EOD
102714 111516.272
124439808 26665.2879
EOD
$d9 << EOD
102714 57500.3302
124439808 23107.0876
EOD
$d10 << EOD
102714 67279.353
124439808 13618.309
EOD
$d11 << EOD
102714 38657.4727
124439808 8444.01894
EOD
$d12 << EOD
102714 38292.1592
124439808 11344.3
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
