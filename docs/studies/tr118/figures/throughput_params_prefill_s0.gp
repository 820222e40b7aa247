set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 256138.034
124439808 1329.28921
EOD
$d1 << EOD
102714 28047.959
124439808 11038.7394
EOD
$d2 << EOD
102714 53475.5341
124439808 8572.37019
EOD
$d3 << EOD
102714 80998.9593
124439808 6903.53134
EOD
$d4 << EOD
102714 60089.5931
124439808 3310.63506
EOD
$d5 << EOD
102714 59622.5187
124439808 7444.29349
EOD
$d6 << EOD
102714 16692.5498
124439808 922.086388
EOD
$d7 << EOD
102714 10233.9201
124439808 3591.71659
EOD
$d8 << EOD
102714 11143.8182
124439808 1884.44944
EOD
$d9 << EOD
102714 16203.3858
124439808 2411.47764
EOD
$d10 << EOD
102714 3961.86504
124439808 2223.04673
EOD
$d11 << EOD
102714 4622.32534
124439808 2672.79933
EOD
$d12 << EOD
102714 9471.24332
124439808 2540.38949
EOD
$d13 << EOD
102714 5454.5034
124439808 1141.58128
EOD
$d14 << EOD
102714 3343.95182
124439808 1605.96625
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
