set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m7_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-xl: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 0.771719777 0.738895993 0.804543561
0.94 0.95050979 0.817910995 1.08310859
1.94 0.679599924 0.519002768 0.840197079
EOD
$d1 << EOD
0 4.51154556 4.49641835 4.52667276
1 5.46307971 5.4501061 5.47605332
2 5.81196046 5.78787143 5.8360495
EOD
$d2 << EOD
0.06 4.4977442 4.482095 4.51339339
1.06 5.4481118 5.42669069 5.46953291
2.06 5.6904682 5.67305985 5.70787654
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
