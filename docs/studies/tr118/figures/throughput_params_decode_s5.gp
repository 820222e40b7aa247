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
102714 42530.0782
124439808 599.436932
EOD
$d1 << EOD
102714 155408.553
124439808 9009.77437
EOD
$d2 << EOD
102714 160730.261
124439808 9851.28135
EOD
$d3 << EOD
102714 158611.599
124439808 6504.53724
EOD
$d4 << EOD
102714 162972.682
124439808 7535.81948
EOD
$d5 << EOD
102714 165357.271
124439808 7402.93466
EOD
$d6 << EOD
102714 7906.5648
124439808 417.056676
EOD
$d7 << EOD
102714 6566.17338
124439808 2914.90132
EOD
$d8 << EOD
102714 3567.15905
124439808 884.557308
EOD
$d9 << EOD
102714 5893.19932
124439808 2555.97423
EOD
$d10 << EOD
102714 4272.23931
124439808 1095.4104
EOD
$d11 << EOD
102714 3829.56816
124439808 1283.24721
EOD
$d12 << EOD
102714 3726.49643
124439808 1294.9422
EOD
$d13 << EOD
102714 2530.44213
124439808 610.833604
EOD
$d14 << EOD
102714 1775.80099
124439808 746.612731
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
