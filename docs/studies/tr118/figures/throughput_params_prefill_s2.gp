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
102714 732187.567
124439808 5082.09487
EOD
$d1 << EOD
102714 448856.624
124439808 85168.0972
EOD
$d2 << EOD
102714 395344.469
124439808 84481.9517
EOD
$d3 << EOD
102714 511273.081
124439808 45239.4235
EOD
$d4 << EOD
102714 294044.953
124439808 12159.9613
EOD
$d5 << EOD
102714 465647.247
124439808 60961.7834
EOD
$d6 << EOD
102714 114339.134
124439808 2509.39055
EOD
$d7 << EOD
102714 87308.3851
124439808 20272.6725
EOD
$d8 << EOD
102714 85722.7088
124439808 15073.9474
EOD
$d9 << EOD
102714 117804.362
124439808 19701.4181
EOD
$d10 << EOD
102714 50665.7425
124439808 14933.6864
EOD
$d11 << EOD
102714 35684.7049
124439808 23439.2196
EOD
$d12 << EOD
102714 59910.6248
124439808 24681.7232
EOD
$d13 << EOD
102714 32700.557
124439808 11599.5307
EOD
$d14 << EOD
102714 37035.0376
124439808 12337.0895
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
