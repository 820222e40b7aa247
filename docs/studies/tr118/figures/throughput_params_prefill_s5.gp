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
102714 722261.137
124439808 6236.62083
EOD
$d1 << EOD
102714 1490020.07
124439808 288032.293
EOD
$d2 << EOD
102714 1671821.57
124439808 287121.017
EOD
$d3 << EOD
102714 2178845.15
124439808 107263.489
EOD
$d4 << EOD
102714 1326044.72
124439808 29920.9261
EOD
$d5 << EOD
102714 1917486.2
124439808 222924.325
EOD
$d6 << EOD
102714 235616.242
124439808 5064.93082
EOD
$d7 << EOD
102714 239988.118
124439808 94593.1474
EOD
$d8 << EOD
102714 186615.196
124439808 56581.8365
EOD
$d9 << EOD
102714 230993.736
124439808 65716.1466
EOD
$d10 << EOD
102714 110162.323
124439808 62392.3915
EOD
$d11 << EOD
102714 136833.074
124439808 83599.0249
EOD
$d12 << EOD
102714 238528.054
124439808 89148.4434
EOD
$d13 << EOD
102714 166562.011
124439808 46519.0757
EOD
$d14 << EOD
102714 83407.4093
124439808 47529.9583
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
