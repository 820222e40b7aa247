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
102714 969673.198
124439808 5682.51456
EOD
$d1 << EOD
102714 3623021.26
124439808 401481.258
EOD
$d2 << EOD
102714 3974380.86
124439808 403965.211
EOD
$d3 << EOD
102714 3196356.38
124439808 125430.6
EOD
$d4 << EOD
102714 3456622.41
124439808 236638.9
EOD
$d5 << EOD
102714 3703406.43
124439808 293554.246
EOD
$d6 << EOD
102714 229910.052
124439808 3210.14668
EOD
$d7 << EOD
102714 276109.439
124439808 62980.7109
EOD
$d8 << EOD
102714 237849.843
124439808 52571.9095
EOD
$d9 << EOD
102714 208046.179
124439808 77501.0673
EOD
$d10 << EOD
102714 228825.101
124439808 70147.1676
EOD
$d11 << EOD
102714 184694.991
124439808 91135.2575
EOD
$d12 << EOD
102714 241541.805
124439808 78913.6691
EOD
$d13 << EOD
102714 177322.007
124439808 42116.4605
EOD
$d14 << EOD
102714 96572.2043
124439808 28326.9041
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
