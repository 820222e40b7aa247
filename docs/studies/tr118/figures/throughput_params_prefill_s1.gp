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
102714 481783.633
124439808 3062.92066
EOD
$d1 << EOD
102714 520842.865
124439808 71091.5655
EOD
$d2 << EOD
102714 568438.517
124439808 71868.9403
EOD
$d3 << EOD
102714 443204.094
124439808 34771.5935
EOD
$d4 << EOD
102714 491910.324
124439808 46496.4387
EOD
$d5 << EOD
102714 533830.022
124439808 57937.8669
EOD
$d6 << EOD
102714 78690.2161
124439808 2084.59592
EOD
$d7 << EOD
102714 58110.0275
124439808 12238.3698
EOD
$d8 << EOD
102714 46839.3564
124439808 10978.9631
EOD
$d9 << EOD
102714 56829.9594
124439808 9422.13294
EOD
$d10 << EOD
102714 28729.7252
124439808 11836.4605
EOD
$d11 << EOD
102714 21048.4255
124439808 11213.919
EOD
$d12 << EOD
102714 32779.5855
124439808 11594.1718
EOD
$d13 << EOD
102714 23529.4985
124439808 4289.83451
EOD
$d14 << EOD
102714 17337.4796
124439808 5514.41717
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
