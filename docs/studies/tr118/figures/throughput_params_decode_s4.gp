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
102714 77366.6005
124439808 634.499746
EOD
$d1 << EOD
102714 113603.284
124439808 6996.17244
EOD
$d2 << EOD
102714 110559.814
124439808 7292.26379
EOD
$d3 << EOD
102714 117634.514
124439808 6440.48916
EOD
$d4 << EOD
102714 60306.9505
124439808 6886.86631
EOD
$d5 << EOD
102714 100840.949
124439808 6696.72868
EOD
$d6 << EOD
102714 6236.0249
124439808 460.002708
EOD
$d7 << EOD
102714 7164.22628
124439808 3072.16395
EOD
$d8 << EOD
102714 3797.77
124439808 1147.27334
EOD
$d9 << EOD
102714 6992.35766
124439808 2561.73328
EOD
$d10 << EOD
102714 2844.13924
124439808 1319.07479
EOD
$d11 << EOD
102714 3611.99343
124439808 1410.8943
EOD
$d12 << EOD
102714 4129.45692
124439808 1328.19899
EOD
$d13 << EOD
102714 2978.60241
124439808 389.290246
EOD
$d14 << EOD
102714 2480.30922
124439808 482.943754
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
