set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s4.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_short (4x32)'
$d0 << EOD
102714 926910.351
124439808 4878.75404
EOD
$d1 << EOD
102714 1902729.07
124439808 249935.096
EOD
$d2 << EOD
102714 2123035.45
124439808 250755.013
EOD
$d3 << EOD
102714 1658832.94
124439808 100192.059
EOD
$d4 << EOD
102714 1786349.24
124439808 171717.293
EOD
$d5 << EOD
102714 1828144.5
124439808 193884.129
EOD
$d6 << EOD
102714 95990.3046
124439808 2737.25574
EOD
$d7 << EOD
102714 102502.373
124439808 46692.1001
EOD
$d8 << EOD
102714 124177.382
124439808 23579.9411
EOD
$d9 << EOD
102714 95657.7257
124439808 43579.5104
EOD
$d10 << EOD
102714 94816.3067
124439808 42425.6671
EOD
$d11 << EOD
102714 128785.872
124439808 49816.4055
EOD
$d12 << EOD
102714 129079.119
124439808 25708.9235
EOD
$d13 << EOD
102714 65164.9421
124439808 21188.6198
EOD
$d14 << EOD
102714 48902.1969
124439808 17237.6497
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
