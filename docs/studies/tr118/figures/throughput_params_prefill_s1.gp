set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_short (1x32)'
$d0 << EOD
102714 452823.066
124439808 2751.6416
EOD
$d1 << EOD
102714 505250.562
124439808 68506.7584
EOD
$d2 << EOD
102714 560874.313
124439808 69082.0293
EOD
$d3 << EOD
102714 429873.237
124439808 34328.8705
EOD
$d4 << EOD
102714 482225.563
124439808 46088.6997
EOD
$d5 << EOD
102714 520755.203
124439808 55460.0875
EOD
$d6 << EOD
102714 85389.2489
124439808 1562.38644
EOD
$d7 << EOD
102714 31024.7722
124439808 13177.1933
EOD
$d8 << EOD
102714 45630.9154
124439808 7400.91931
EOD
$d9 << EOD
102714 35125.448
124439808 15412.5431
EOD
$d10 << EOD
102714 46084.0302
124439808 12441.8237
EOD
$d11 << EOD
102714 22088.064
124439808 10475.6363
EOD
$d12 << EOD
102714 30446.3924
124439808 11942.0986
EOD
$d13 << EOD
102714 21555.1725
124439808 5043.14994
EOD
$d14 << EOD
102714 12098.7875
124439808 5101.09084
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
