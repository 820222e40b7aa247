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
102714 64043.3479
124439808 605.849623
EOD
$d1 << EOD
102714 111633.194
124439808 7000.83421
EOD
$d2 << EOD
102714 107420.54
124439808 7297.55171
EOD
$d3 << EOD
102714 113391.319
124439808 6435.02335
EOD
$d4 << EOD
102714 60360.353
124439808 6902.78462
EOD
$d5 << EOD
102714 99384.9579
124439808 6712.01065
EOD
$d6 << EOD
102714 7751.60036
124439808 476.872459
EOD
$d7 << EOD
102714 6776.73374
124439808 3060.44262
EOD
$d8 << EOD
102714 3869.94597
124439808 1102.24356
EOD
$d9 << EOD
102714 7177.05054
124439808 2623.4649
EOD
$d10 << EOD
102714 2823.37576
124439808 1313.58824
EOD
$d11 << EOD
102714 4039.94772
124439808 1325.18328
EOD
$d12 << EOD
102714 3728.69317
124439808 1361.94363
EOD
$d13 << EOD
102714 2931.72643
124439808 665.629646
EOD
$d14 << EOD
102714 2339.53591
124439808 679.061939
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
