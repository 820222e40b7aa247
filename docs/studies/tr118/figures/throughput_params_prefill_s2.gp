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
102714 380967.523
124439808 3922.91677
EOD
$d1 << EOD
102714 971192.163
124439808 124989.887
EOD
$d2 << EOD
102714 1046522.98
124439808 125962.7
EOD
$d3 << EOD
102714 841669.114
124439808 60395.3429
EOD
$d4 << EOD
102714 941183.331
124439808 85111.1613
EOD
$d5 << EOD
102714 958479.182
124439808 100881.511
EOD
$d6 << EOD
102714 131776.632
124439808 2468.72128
EOD
$d7 << EOD
102714 113136.557
124439808 26216.3094
EOD
$d8 << EOD
102714 93436.2591
124439808 16420.4628
EOD
$d9 << EOD
102714 74656.4277
124439808 28687.9625
EOD
$d10 << EOD
102714 95759.9611
124439808 25845.8803
EOD
$d11 << EOD
102714 67303.2579
124439808 18422.5355
EOD
$d12 << EOD
102714 68404.5292
124439808 24150.9525
EOD
$d13 << EOD
102714 40229.9084
124439808 11050.378
EOD
$d14 << EOD
102714 25882.6295
124439808 8986.40733
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
