set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m6_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-large: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.69723997 1.63755691 1.75692303
0.97 1.28092247 1.24789586 1.31394908
1.97 1.15479185 1.03287779 1.27670591
EOD
$d1 << EOD
0.03 2.73054592 0.578999285 4.88209256
1.03 0.698675385 0.616397865 0.780952904
2.03 0.655371105 0.647490429 0.66325178
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
