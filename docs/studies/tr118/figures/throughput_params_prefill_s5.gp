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
102714 870029.632
124439808 5740.1709
EOD
$d1 << EOD
102714 3709767.66
124439808 399396.254
EOD
$d2 << EOD
102714 3972301.33
124439808 406628.528
EOD
$d3 << EOD
102714 3190833.78
124439808 126292.867
EOD
$d4 << EOD
102714 3444874.31
124439808 240474.908
EOD
$d5 << EOD
102714 3660498.28
124439808 298408.737
EOD
$d6 << EOD
102714 180072.73
124439808 4173.38751
EOD
$d7 << EOD
102714 281123.089
124439808 82694.6245
EOD
$d8 << EOD
102714 240636.597
124439808 56664.9052
EOD
$d9 << EOD
102714 235297.493
124439808 76468.862
EOD
$d10 << EOD
102714 166658.47
124439808 73665.2687
EOD
$d11 << EOD
102714 219416.852
124439808 90403.0447
EOD
$d12 << EOD
102714 227306.252
124439808 79305.8406
EOD
$d13 << EOD
102714 182623.401
124439808 34665.4818
EOD
$d14 << EOD
102714 84937.5613
124439808 44030.98
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
