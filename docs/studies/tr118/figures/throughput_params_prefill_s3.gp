set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s3.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_long (1x128)'
$d0 << EOD
102714 483388.271
124439808 948.968216
EOD
$d1 << EOD
102714 1004559.31
124439808 145179.469
EOD
$d2 << EOD
102714 895870.587
124439808 140487.357
EOD
$d3 << EOD
102714 825545.204
124439808 71285.0937
EOD
$d4 << EOD
102714 934400.575
124439808 25065.9655
EOD
$d5 << EOD
102714 902156.792
124439808 100780.836
EOD
$d6 << EOD
102714 243107.049
124439808 3484.95872
EOD
$d7 << EOD
102714 217741.633
124439808 50919.0668
EOD
$d8 << EOD
102714 223965.286
124439808 49853.7062
EOD
$d9 << EOD
102714 132244.456
124439808 45473.6262
EOD
$d10 << EOD
102714 120431.305
124439808 36715.555
EOD
$d11 << EOD
102714 76981.8579
124439808 13612.3595
EOD
$d12 << EOD
102714 70844.3976
124439808 21841.899
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d11 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
