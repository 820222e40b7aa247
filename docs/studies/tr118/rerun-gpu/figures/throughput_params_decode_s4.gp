set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s4.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_short (4x32)'
$d0 << EOD
102714 51945.5442
124439808 6070.58585
EOD
$d1 << EOD
102714 46889.1122
124439808 6312.19308
EOD
$d2 << EOD
102714 58275.3883
124439808 6238.06524
EOD
$d3 << EOD
102714 51553.3413
124439808 5282.09399
EOD
$d4 << EOD
102714 51275.8951
124439808 6445.59043
EOD
$d5 << EOD
102714 2837.28207
124439808 1095.30671
EOD
$d6 << EOD
102714 3159.50226
124439808 1424.94562
EOD
$d7 << EOD
102714 2597.55138
124439808 375.616969
EOD
$d8 << EOD
102714 2538.39662
124439808 791.056779
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
