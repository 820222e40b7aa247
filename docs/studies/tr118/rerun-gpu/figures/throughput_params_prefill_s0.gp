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
102714 62573.4458
124439808 6274.66781
EOD
$d1 << EOD
102714 24853.5486
124439808 10609.8208
EOD
$d2 << EOD
102714 66920.5263
124439808 6857.94418
EOD
$d3 << EOD
102714 61444.7446
124439808 3368.07333
EOD
$d4 << EOD
102714 50240.6171
124439808 8607.30707
EOD
$d5 << EOD
102714 8561.64546
124439808 2371.96043
EOD
$d6 << EOD
102714 9293.21083
124439808 3133.37903
EOD
$d7 << EOD
102714 5539.02672
124439808 1396.77661
EOD
$d8 << EOD
102714 4633.84618
124439808 1698.17826
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d7 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
